// A Redis reply as plain values (RESP2 types), and the RESP encoding of a
// command. Replies are parsed by hiredis' reader (reader.hpp) and copied
// into this shape so nothing outside this module sees hiredis.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace herald::redis {

struct reply {
  enum class kind { nil, integer, string, status, error, array };
  kind type = kind::nil;
  long long integer = 0;
  std::string str;  // string, status and error replies
  std::vector<reply> elements;

  bool is_error() const { return type == kind::error; }
  bool is_nil() const { return type == kind::nil; }

  static reply make_error(std::string message) {
    reply r;
    r.type = kind::error;
    r.str = std::move(message);
    return r;
  }
};

// "*N\r\n$len\r\narg\r\n..." appended to out; arguments are binary-safe.
void append_command(std::string& out, const std::vector<std::string>& args);
void append_command(std::string& out, std::initializer_list<std::string_view> args);

}  // namespace herald::redis
