// Plain HTTP request/response values handed between net (which speaks
// Beast) and the API handlers (which do not), so handlers are testable and
// fuzzable without sockets.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace herald::api {

struct request {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query as received
  std::string authorization;
  std::string body;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

response json_error(int status, std::string_view reason);

}  // namespace herald::api
