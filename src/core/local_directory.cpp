#include "core/local_directory.hpp"

#include <algorithm>

namespace herald::core {

presence_page page_of(std::vector<user_presence> sorted, const std::string& after, std::size_t limit) {
  presence_page page;
  auto it = after.empty() ? sorted.begin()
                          : std::upper_bound(sorted.begin(), sorted.end(), after,
                                             [](const std::string& a, const user_presence& p) { return a < p.user; });
  for (; it != sorted.end() && page.users.size() < limit; ++it) page.users.push_back(std::move(*it));
  if (it != sorted.end() && !page.users.empty()) page.next = page.users.back().user;
  return page;
}

void local_directory::nodes(done_fn<std::vector<node_entry>> done) { done(std::vector<node_entry>{self_()}); }

void local_directory::presence(const std::string& user, done_fn<user_presence> done) {
  user_presence p;
  p.user = user;
  p.sessions = registry_.sessions_of(user);
  if (p.sessions) p.nodes.emplace_back(self_().id, p.sessions);
  done(std::move(p));
}

void local_directory::presence_page(const std::string& after, std::size_t limit, done_fn<core::presence_page> done) {
  const auto id = self_().id;
  std::vector<user_presence> all;
  for (auto& [user, n] : registry_.snapshot()) {
    all.push_back(user_presence{user, n, {{id, n}}});
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.user < b.user; });
  done(page_of(std::move(all), after, limit));
}

}  // namespace herald::core
