// outbox: the byte bound, drop-oldest that spares the in-flight front,
// dropped_new / overflow, the control slack and the dropped-notice counters.
#include "core/outbox.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace herald::core {
namespace {

// An entry of exactly n wire bytes whose text names it.
outbound entry(std::string tag, std::size_t n, bool droppable) {
  outbound o;
  tag.resize(n, '.');
  o.extra = std::move(tag);
  o.droppable = droppable;
  return o;
}

std::vector<std::string> tags(outbox& b) {
  std::vector<std::string> out;
  while (!b.empty()) {
    auto e = b.front().extra;
    out.push_back(e.substr(0, e.find('.')));
    b.pop_front();
  }
  return out;
}

TEST(Outbound, WireSizeCountsEveryPart) {
  message_fields f;
  f.destination = "/topic/x";
  f.body = "hello";
  auto m = make_message(std::move(f), "id-1");
  outbound o;
  o.prefix = std::make_shared<const std::string>("MESSAGE\n");
  o.extra = "ack:1\n";
  o.msg = m;
  EXPECT_EQ(o.wire_size(), 8 + 6 + m->head(o.version).size() + 5 + 1);
  outbound control;
  control.extra = "RECEIPT\n\n";
  EXPECT_EQ(control.wire_size(), 9u);
}

TEST(Outbox, QueuesWithinBound) {
  outbox b(100);
  EXPECT_EQ(b.push(entry("a", 40, false)), push_result::queued);
  EXPECT_EQ(b.push(entry("b", 60, false)), push_result::queued);
  EXPECT_EQ(b.pending_bytes(), 100u);
  EXPECT_EQ(b.size(), 2u);
  b.pop_front();
  EXPECT_EQ(b.pending_bytes(), 60u);
}

TEST(Outbox, NonDroppableOverflows) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 60, false)), push_result::queued);
  EXPECT_EQ(b.push(entry("b", 41, false)), push_result::overflow);
  EXPECT_EQ(b.pending_bytes(), 60u);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.dropped_total(), 0u);
}

TEST(Outbox, DropOldestDroppableMakesRoom) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 40, true)), push_result::queued);
  ASSERT_EQ(b.push(entry("b", 40, true)), push_result::queued);
  EXPECT_EQ(b.push(entry("c", 40, true)), push_result::queued);
  EXPECT_EQ(b.pending_bytes(), 80u);
  EXPECT_EQ(b.dropped_total(), 1u);
  EXPECT_EQ(tags(b), (std::vector<std::string>{"b", "c"}));
}

TEST(Outbox, NonDroppableNewcomerEvictsDroppableEntries) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 40, true)), push_result::queued);
  ASSERT_EQ(b.push(entry("b", 40, false)), push_result::queued);
  EXPECT_EQ(b.push(entry("c", 50, false)), push_result::queued);
  EXPECT_EQ(tags(b), (std::vector<std::string>{"b", "c"}));
}

TEST(Outbox, SkipsNonDroppableWhenMakingRoom) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("keep", 30, false)), push_result::queued);
  ASSERT_EQ(b.push(entry("old", 30, true)), push_result::queued);
  ASSERT_EQ(b.push(entry("new", 30, true)), push_result::queued);
  EXPECT_EQ(b.push(entry("x", 30, true)), push_result::queued);
  EXPECT_EQ(tags(b), (std::vector<std::string>{"keep", "new", "x"}));
}

TEST(Outbox, NeverDropsTheInFlightFront) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 40, true)), push_result::queued);
  ASSERT_EQ(b.push(entry("b", 40, true)), push_result::queued);
  b.begin_write();
  EXPECT_TRUE(b.writing());
  EXPECT_EQ(b.push(entry("c", 40, true)), push_result::queued);
  EXPECT_TRUE(b.writing());
  EXPECT_EQ(b.front().extra.substr(0, 1), "a");
  b.pop_front();
  EXPECT_FALSE(b.writing());
  EXPECT_EQ(tags(b), (std::vector<std::string>{"c"}));
}

// The transport writes straight from the in-flight entry's buffers (prefix,
// extra, message), taken after begin_write(), until the write completes:
// queueing more frames behind it, or evicting others, must not move those
// bytes. A short `extra` lives inside the entry itself (small-string
// optimisation), so the entry must not be relocated either.
TEST(Outbox, InFlightFrontBytesStayPutWhileQueueGrows) {
  outbox b(1 << 20);
  ASSERT_EQ(b.push_control("\n"), push_result::queued);
  b.begin_write();
  const char* bytes = b.front().extra.data();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(b.push_control("RECEIPT\n\n"), push_result::queued);
  EXPECT_EQ(b.front().extra.data(), bytes);
  EXPECT_EQ(b.front().extra, "\n");
}

TEST(Outbox, InFlightFrontBytesStayPutWhenEvicting) {
  outbox b(100);
  outbound small;
  small.extra = "ack:1\n";
  small.droppable = true;
  ASSERT_EQ(b.push(std::move(small)), push_result::queued);
  b.begin_write();
  const char* bytes = b.front().extra.data();
  ASSERT_EQ(b.push(entry("a", 50, true)), push_result::queued);
  ASSERT_EQ(b.push(entry("b", 50, true)), push_result::queued);  // evicts "a"
  EXPECT_EQ(b.dropped_total(), 1u);
  EXPECT_EQ(b.front().extra.data(), bytes);
}

TEST(Outbox, InFlightFrontAloneCannotMakeRoom) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 80, true)), push_result::queued);
  b.begin_write();
  EXPECT_EQ(b.push(entry("b", 40, true)), push_result::dropped_new);
  EXPECT_EQ(b.push(entry("c", 40, false)), push_result::overflow);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.pending_bytes(), 80u);
}

TEST(Outbox, DroppableNewcomerDroppedWhenNoRoom) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 90, false)), push_result::queued);
  EXPECT_EQ(b.push(entry("b", 20, true)), push_result::dropped_new);
  EXPECT_EQ(b.dropped_total(), 1u);
  EXPECT_EQ(b.pending_dropped_notice(), 1u);
  EXPECT_EQ(b.size(), 1u);
}

TEST(Outbox, EntryLargerThanBound) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 10, true)), push_result::queued);
  EXPECT_EQ(b.push(entry("big", 101, true)), push_result::dropped_new);
  EXPECT_EQ(b.push(entry("big", 101, false)), push_result::overflow);
  // Nothing already queued was sacrificed for an entry that cannot fit.
  EXPECT_EQ(tags(b), (std::vector<std::string>{"a"}));
}

// When evicting every droppable entry still cannot make room (non-droppable
// entries hold the bytes), the droppable newcomer is dropped anyway, so the
// evictions bought nothing and only lost messages.
TEST(Outbox, NoEvictionWhenEvictionCannotMakeRoom) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("old", 10, true)), push_result::queued);
  ASSERT_EQ(b.push(entry("ctl", 80, false)), push_result::queued);
  EXPECT_EQ(b.push(entry("new", 30, true)), push_result::dropped_new);
  EXPECT_EQ(b.dropped_total(), 1u);
  EXPECT_EQ(tags(b), (std::vector<std::string>{"old", "ctl"}));
}

TEST(Outbox, ControlFramesUseTheSlack) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 100, false)), push_result::queued);
  EXPECT_EQ(b.push_control(std::string(outbox::control_slack, 'E')), push_result::queued);
  EXPECT_EQ(b.pending_bytes(), 100 + outbox::control_slack);
  EXPECT_EQ(b.push_control("X"), push_result::overflow);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.push(entry("c", 1, true)), push_result::dropped_new);
}

TEST(Outbox, ControlFramesAreNeverDropped) {
  outbox b(100);
  ASSERT_EQ(b.push_control(std::string(50, 'R')), push_result::queued);
  ASSERT_EQ(b.push(entry("a", 50, true)), push_result::queued);
  EXPECT_EQ(b.push(entry("b", 50, true)), push_result::queued);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.front().extra, std::string(50, 'R'));
}

TEST(Outbox, DroppedNoticeCounters) {
  outbox b(100);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(b.push(entry("m", 50, true)), push_result::queued);
  EXPECT_EQ(b.dropped_total(), 3u);
  EXPECT_EQ(b.pending_dropped_notice(), 3u);
  // Control-only entries (no message) do not carry the notice.
  b.begin_write();
  EXPECT_EQ(b.pending_dropped_notice(), 3u);
}

TEST(Outbox, NoticeRidesOnTheNextMessageWritten) {
  message_fields f;
  f.destination = "/topic/x";
  f.body = std::string(40, 'b');
  auto m = make_message(std::move(f), "id");
  auto delivery = [&] {
    outbound o;
    o.msg = m;
    o.droppable = true;
    return o;
  };
  const std::size_t one = delivery().wire_size();
  outbox b(2 * one + 10);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(b.push(delivery()), push_result::queued);
  ASSERT_EQ(b.pending_dropped_notice(), 2u);
  const auto before = b.pending_bytes();
  b.begin_write();
  EXPECT_EQ(b.front().extra, "x-herald-dropped:2\n");
  EXPECT_EQ(b.pending_bytes(), before + b.front().extra.size());
  EXPECT_EQ(b.pending_dropped_notice(), 0u);
  b.pop_front();
  b.begin_write();
  EXPECT_TRUE(b.front().extra.empty());
}

// A drop the session made before the outbox (note_dropped) is reported
// like an eviction: counted, and on the next MESSAGE written.
TEST(Outbox, NoteDroppedRidesOnTheNextMessageWritten) {
  message_fields f;
  f.destination = "/topic/x";
  f.body = "b";
  auto m = make_message(std::move(f), "id");
  outbox b(1000);
  b.note_dropped();
  b.note_dropped();
  EXPECT_EQ(b.dropped_total(), 2u);
  EXPECT_EQ(b.pending_dropped_notice(), 2u);
  ASSERT_EQ(b.push_control("RECEIPT\n\n"), push_result::queued);
  outbound o;
  o.msg = m;
  ASSERT_EQ(b.push(std::move(o)), push_result::queued);
  b.begin_write();  // the RECEIPT: no notice on a control frame
  EXPECT_EQ(b.front().extra, "RECEIPT\n\n");
  b.pop_front();
  b.begin_write();
  EXPECT_EQ(b.front().extra, "x-herald-dropped:2\n");
  EXPECT_EQ(b.pending_dropped_notice(), 0u);
}

TEST(Outbox, InFlightEntryCountsUntilPopped) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 30, true)), push_result::queued);
  b.begin_write();
  EXPECT_FALSE(b.empty());
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.pending_bytes(), 30u);
  ASSERT_EQ(b.push(entry("b", 20, false)), push_result::queued);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.front().extra.substr(0, 1), "a");
  b.pop_front();
  EXPECT_FALSE(b.writing());
  EXPECT_EQ(b.pending_bytes(), 20u);
  EXPECT_EQ(b.front().extra.substr(0, 1), "b");
}

TEST(Outbox, DropQueuedKeepsTheInFlightEntry) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 30, true)), push_result::queued);
  ASSERT_EQ(b.push(entry("b", 30, false)), push_result::queued);
  ASSERT_EQ(b.push_control("RECEIPT"), push_result::queued);
  b.begin_write();
  b.drop_queued();
  EXPECT_TRUE(b.writing());
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.pending_bytes(), 30u);
  EXPECT_EQ(b.front().extra.substr(0, 1), "a");
  b.pop_front();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.pending_bytes(), 0u);
  // Eviction bookkeeping is consistent afterwards.
  ASSERT_EQ(b.push(entry("c", 60, true)), push_result::queued);
  EXPECT_EQ(b.push(entry("d", 60, true)), push_result::queued);
  EXPECT_EQ(tags(b), (std::vector<std::string>{"d"}));
}

TEST(Outbox, DropQueuedWithoutWriteEmpties) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 30, true)), push_result::queued);
  ASSERT_EQ(b.push_control("E"), push_result::queued);
  b.drop_queued();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.pending_bytes(), 0u);
  EXPECT_EQ(b.dropped_total(), 0u);  // not slow-consumer drops
}

TEST(Outbox, ForcedPushIgnoresTheBound) {
  outbox b(10);
  ASSERT_EQ(b.push_control(std::string(10 + outbox::control_slack + 1, 'E')), push_result::overflow);
  EXPECT_EQ(b.push_forced(std::string(10 + outbox::control_slack + 1, 'E')), push_result::queued);
  EXPECT_EQ(b.size(), 1u);
}

TEST(Outbox, ClearEmptiesEverything) {
  outbox b(100);
  ASSERT_EQ(b.push(entry("a", 50, true)), push_result::queued);
  b.begin_write();
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.pending_bytes(), 0u);
  EXPECT_FALSE(b.writing());
}

}  // namespace
}  // namespace herald::core
