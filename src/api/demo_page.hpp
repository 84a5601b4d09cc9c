// The page served at "/" so that a bare `herald` shows something live.
#pragma once

#include <string_view>

namespace herald::api {

std::string_view demo_page_html();

}  // namespace herald::api
