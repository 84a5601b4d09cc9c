// The page served at "/" so that a bare `herald` shows something live.
#pragma once

#include <string>
#include <string_view>

namespace herald::api {

// ws_path: the STOMP endpoint the page connects to (the first configured).
std::string demo_page_html(std::string_view ws_path);

}  // namespace herald::api
