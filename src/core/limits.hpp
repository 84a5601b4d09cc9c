// Bounds that are not worth a config key, each with its reason. Bounds an
// operator may need to tune live in config/config.hpp instead.
#pragma once

#include <cstddef>

namespace herald::core {

// Open transactions per session: clients use one at a time in practice.
inline constexpr std::size_t max_transactions = 16;
// Frames buffered in one transaction before COMMIT: a transaction is a
// small batch, not a queue.
inline constexpr std::size_t max_frames_per_transaction = 1000;
// Length of a subscription id or transaction name: they are echoed in
// every delivery, so keep them short.
inline constexpr std::size_t max_id_length = 256;

}  // namespace herald::core
