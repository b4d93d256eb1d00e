// Starts Swagger UI on the document the page names. A file of its own, not an inline script,
// so that the page's Content-Security-Policy can stay at script-src 'self'.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    // Never send the document to a validator elsewhere.
    validatorUrl: null,
    // Tokens typed into "Authorize" stay in the page's memory, never in localStorage.
    persistAuthorization: false,
  });
})();
