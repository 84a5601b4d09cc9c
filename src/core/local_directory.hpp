// The directory of a single node (memory broker): this node is the
// cluster. Answers at once, on the caller's thread.
#pragma once

#include "core/directory.hpp"
#include "core/registry.hpp"

namespace herald::core {

class local_directory final : public directory {
 public:
  local_directory(const registry& r, std::function<node_entry()> self) : registry_(r), self_(std::move(self)) {}

  void nodes(done_fn<std::vector<node_entry>> done) override;
  void presence(const std::string& user, done_fn<user_presence> done) override;
  void presence_page(const std::string& after, std::size_t limit, done_fn<core::presence_page> done) override;
  // One node owns every session.
  void claim_sockjs(const std::string&, done_fn<std::string> done) override { done(self_().id); }
  void locate_sockjs(const std::string&, done_fn<std::string> done) override { done(std::string()); }
  void touch_sockjs(const std::string&) override {}
  void release_sockjs(const std::string&) override {}

 private:
  const registry& registry_;
  std::function<node_entry()> self_;
};

}  // namespace herald::core
