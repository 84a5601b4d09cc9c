// The API's cluster routes, answered through the directory (possibly
// later, on the backplane's thread): GET /api/nodes, GET /api/presence,
// GET /api/users/{id}/presence, DELETE /api/users/{id}/sessions.
#pragma once

#include "api/routes.hpp"

namespace herald::api {

// false: not a cluster route (done untouched).
bool handle_cluster(const request& req, context& ctx, respond_fn& done);

}  // namespace herald::api
