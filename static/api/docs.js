"use strict";
// Starts Swagger UI (vendored by drf-spectacular-sidecar) on the API's schema, whose URL the
// page gives in data-schema-url. A file of its own, so the page needs no inline script.
(function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // The API only reads; and never send the schema to the public validator service.
    supportedSubmitMethods: ["get", "head"],
    validatorUrl: null,
  });
})();
