// HTTP/1.1 as the publishers speak it: keep-alive POSTs written back to
// back (pipelined) and a response scanner that only needs status and
// framing (Content-Length or chunked).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace herald::bench::http {

void append_post(std::string& out, std::string_view host, std::string_view target, std::string_view content_type,
                 std::string_view body, std::string_view bearer);

struct response_head {
  int status = 0;
};

enum class scan_status { complete, need_more, bad_response };

// Frames the response at the front of data; on complete sets `consumed`
// to its full length (head and body).
scan_status scan_response(std::string_view data, response_head& head, std::size_t& consumed);

}  // namespace herald::bench::http
