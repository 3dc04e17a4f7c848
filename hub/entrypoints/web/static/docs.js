// Swagger UI served from vendored files (no CDN); same-origin requests carry the session and the CSRF token.
(function () {
  var el = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: el.dataset.spec, dom_id: "#swagger-ui",
    requestInterceptor: function (req) { req.headers["X-CSRF-Token"] = el.dataset.csrf; return req; }
  });
})();
