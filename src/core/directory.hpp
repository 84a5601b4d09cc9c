// The cluster directory: which nodes are alive and which users are online
// where. One implementation per broker: the local one answers from this
// node's registry; the Redis one from the entries every node refreshes in
// Redis. Queries complete through a callback, possibly on another thread
// (the backplane's); nullopt means the directory cannot answer now.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace herald::core {

struct node_entry {
  std::string id;
  std::string version;
  std::string listen;
  std::int64_t started_unix_ms = 0;
  std::int64_t connections = 0;
  std::int64_t sessions = 0;
  std::int64_t users = 0;
};

struct user_presence {
  std::string user;
  std::uint32_t sessions = 0;
  std::vector<std::pair<std::string, std::uint32_t>> nodes;  // node id, sessions there; by node id
};

struct presence_page {
  std::vector<user_presence> users;  // sorted by user
  std::optional<std::string> next;   // cursor for the next page
};

class directory {
 public:
  template <class T>
  using done_fn = std::function<void(std::optional<T>)>;

  virtual ~directory() = default;
  virtual void start() {}
  // At exit, after the workers: may wait briefly to leave cleanly.
  virtual void stop() {}
  virtual void nodes(done_fn<std::vector<node_entry>> done) = 0;
  virtual void presence(const std::string& user, done_fn<user_presence> done) = 0;
  // Users after `after` (exclusive, "" = from the start), at most limit.
  virtual void presence_page(const std::string& after, std::size_t limit, done_fn<presence_page> done) = 0;

  // Which node owns a SockJS session carried by HTTP requests, so a request
  // landing on another node can be relayed there. claim: take it for this
  // node unless another holds it; done(owner) — this node's id when
  // claimed. locate: done(owner), "" when nobody holds it. A key lapses
  // unless touched. nullopt: the directory cannot answer.
  virtual void claim_sockjs(const std::string& session, done_fn<std::string> done) = 0;
  virtual void locate_sockjs(const std::string& session, done_fn<std::string> done) = 0;
  virtual void touch_sockjs(const std::string& session) = 0;
  virtual void release_sockjs(const std::string& session) = 0;
};

// Pages a sorted user list; shared by the directories.
presence_page page_of(std::vector<user_presence> sorted, const std::string& after, std::size_t limit);

}  // namespace herald::core
