#include "redis/reader.hpp"

#include <hiredis/hiredis.h>

namespace herald::redis {
namespace {

reply convert(const redisReply* r) {
  reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = reply::kind::string; break;
    case REDIS_REPLY_STATUS: out.type = reply::kind::status; break;
    case REDIS_REPLY_ERROR: out.type = reply::kind::error; break;
    case REDIS_REPLY_INTEGER: out.type = reply::kind::integer; break;
    case REDIS_REPLY_ARRAY: out.type = reply::kind::array; break;
    default: out.type = reply::kind::nil; break;
  }
  if (r->type == REDIS_REPLY_INTEGER) out.integer = r->integer;
  if (r->str) out.str.assign(r->str, r->len);
  if (r->type == REDIS_REPLY_ARRAY) {
    out.elements.reserve(r->elements);
    for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
  }
  return out;
}

}  // namespace

reader::reader() : r_(redisReaderCreate()) {
  if (!r_) throw std::bad_alloc();
}

reader::~reader() { redisReaderFree(r_); }

bool reader::feed(std::string_view bytes) {
  if (!error_.empty()) return false;
  if (redisReaderFeed(r_, bytes.data(), bytes.size()) != REDIS_OK) {
    error_ = r_->errstr[0] ? r_->errstr : "RESP reader error";
    return false;
  }
  return true;
}

std::optional<reply> reader::next() {
  if (!error_.empty()) return std::nullopt;
  void* raw = nullptr;
  if (redisReaderGetReply(r_, &raw) != REDIS_OK) {
    error_ = r_->errstr[0] ? r_->errstr : "RESP protocol error";
    return std::nullopt;
  }
  if (!raw) return std::nullopt;
  std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(raw), freeReplyObject);
  return convert(owned.get());
}

}  // namespace herald::redis
