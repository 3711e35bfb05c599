// The route table (routes.hpp) as an OpenAPI 3.1 document, served at GET /v1/openapi.json so
// that integrators can generate clients: every route with its method, path and query
// parameters, who may call it (x-casetrail-access), the bearer token it needs and the status
// codes it answers. Bodies are described in docs/api.md, not here.
#pragma once

#include <nlohmann/json.hpp>

namespace casetrail::http {

nlohmann::json OpenApiDocument();

}  // namespace casetrail::http
