#include "sources/make_sources.hpp"

#include <stdexcept>

#include "sources/amqp_source.hpp"
#include "sources/redis_expiry.hpp"

namespace herald::sources {

std::vector<std::unique_ptr<source>> make_sources(const config::config& cfg, sink& s) {
  std::vector<std::unique_ptr<source>> out;
  for (const auto& c : cfg.sources) {
    switch (c.type) {
      case config::source_type::amqp:
        out.push_back(std::make_unique<amqp_source>(c, cfg.limits.max_frame_bytes, s));
        break;
      case config::source_type::redis_key_expiry:
        out.push_back(std::make_unique<redis_expiry>(c, s));
        break;
    }
  }
  return out;
}

}  // namespace herald::sources
