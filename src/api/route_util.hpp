// Small pieces shared by the API's route files.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "api/http_types.hpp"
#include "config/config.hpp"

namespace herald::api {

response json_ok(const boost::json::object& o, int status = 200);
// The bearer key check (api.key); true when no key is configured.
bool authorised(const request& req, const config::config& cfg);
// "/api/users/{user}/{action}" → user (percent-decoded) and action.
bool split_user_path(std::string_view path, std::string& user, std::string& action);

}  // namespace herald::api
