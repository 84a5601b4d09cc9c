// Where client SENDs to application destinations (/app/...) go: the
// configured webhook. Implemented by net (an HTTP client on the worker's
// event loop). Called on a worker thread, by the worker's app_dispatch,
// which bounds how many calls run at once; `done` runs later on the same
// thread, possibly after the session ended (the session guards for that).
#pragma once

#include <functional>
#include <string>

#include "core/message.hpp"

namespace herald::session {

struct app_request {
  std::string user;
  std::string session_id;
  std::string destination;  // as sent, "/app/chat.addUser"
  core::header_list headers;
  std::string body;
};

class app_gateway {
 public:
  virtual ~app_gateway() = default;
  // done(""): handled (reply messages already published); done(reason):
  // the webhook failed and the client should be told why.
  virtual void forward(app_request req, std::function<void(std::string error)> done) = 0;
};

}  // namespace herald::session
