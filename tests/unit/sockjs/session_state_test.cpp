// session_state: attaching receivers, heart-beats and expiry, on made-up time.
#include <gtest/gtest.h>

#include <chrono>

#include "sockjs/frames.hpp"
#include "sockjs/session_state.hpp"

namespace herald::sockjs {
namespace {

using namespace std::chrono_literals;
using result = session_state::attach_result;

// Far from the clock's epoch, so nothing relies on time zero.
const clock::time_point t0 = clock::time_point{} + 1000h;
const timing t{.heartbeat = 25s, .disconnect_delay = 5s};

TEST(SockjsSessionState, FirstAttachOpens) {
  session_state s(t, t0);
  EXPECT_FALSE(s.attached());
  EXPECT_EQ(s.attach(t0), result::open);
  EXPECT_TRUE(s.attached());
}

TEST(SockjsSessionState, ConcurrentAttachIsBusy) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  EXPECT_EQ(s.attach(t0 + 1s), result::busy);
  // The refused receiver does not disturb the attached one.
  EXPECT_TRUE(s.attached());
  EXPECT_EQ(s.attach(t0 + 2s), result::busy);
}

TEST(SockjsSessionState, ReattachAfterDetach) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  s.detach(t0 + 1s);
  EXPECT_FALSE(s.attached());
  // "o" is sent once per session, not per receiver.
  EXPECT_EQ(s.attach(t0 + 2s), result::attached);
  EXPECT_TRUE(s.attached());
  s.detach(t0 + 3s);
  EXPECT_EQ(s.attach(t0 + 4s), result::attached);
}

TEST(SockjsSessionState, UnattachedSessionExpiresAfterDisconnectDelay) {
  session_state s(t, t0);
  EXPECT_FALSE(s.expired(t0));
  EXPECT_FALSE(s.expired(t0 + 4999ms));
  EXPECT_TRUE(s.expired(t0 + 5s));
  EXPECT_TRUE(s.expired(t0 + 1h));
}

TEST(SockjsSessionState, AttachedSessionNeverExpires) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0 + 1s), result::open);
  EXPECT_FALSE(s.expired(t0 + 6s));
  EXPECT_FALSE(s.expired(t0 + 24h));
}

TEST(SockjsSessionState, DetachRestartsTheDisconnectDelay) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  s.detach(t0 + 60s);
  EXPECT_FALSE(s.expired(t0 + 60s));
  EXPECT_FALSE(s.expired(t0 + 64999ms));
  EXPECT_TRUE(s.expired(t0 + 65s));
  // A new receiver keeps it alive again.
  ASSERT_EQ(s.attach(t0 + 64s), result::attached);
  EXPECT_FALSE(s.expired(t0 + 100s));
  s.detach(t0 + 100s);
  EXPECT_FALSE(s.expired(t0 + 104s));
  EXPECT_TRUE(s.expired(t0 + 105s));
}

TEST(SockjsSessionState, DetachWithoutReceiverIsIgnored) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  s.detach(t0 + 10s);
  // A late second detach must not extend the session's life.
  s.detach(t0 + 14s);
  EXPECT_TRUE(s.expired(t0 + 15s));
  session_state never(t, t0);
  never.detach(t0 + 4s);
  EXPECT_TRUE(never.expired(t0 + 5s));
}

TEST(SockjsSessionState, HeartbeatDueAfterIntervalWhileAttached) {
  session_state s(t, t0);
  EXPECT_FALSE(s.heartbeat_due(t0 + 30s));  // nobody to send it to yet
  ASSERT_EQ(s.attach(t0 + 1s), result::open);
  EXPECT_FALSE(s.heartbeat_due(t0 + 1s));
  EXPECT_FALSE(s.heartbeat_due(t0 + 25999ms));
  EXPECT_TRUE(s.heartbeat_due(t0 + 26s));
  s.detach(t0 + 27s);
  EXPECT_FALSE(s.heartbeat_due(t0 + 28s));
}

TEST(SockjsSessionState, SentPushesTheHeartbeat) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  s.sent(t0 + 20s);
  EXPECT_FALSE(s.heartbeat_due(t0 + 25s));
  EXPECT_FALSE(s.heartbeat_due(t0 + 44999ms));
  EXPECT_TRUE(s.heartbeat_due(t0 + 45s));
  s.sent(t0 + 45s);  // the heart-beat itself
  EXPECT_FALSE(s.heartbeat_due(t0 + 46s));
  EXPECT_TRUE(s.heartbeat_due(t0 + 70s));
}

TEST(SockjsSessionState, HeartbeatAfterReattach) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  s.sent(t0 + 1s);
  s.detach(t0 + 2s);
  ASSERT_EQ(s.attach(t0 + 3s), result::attached);
  EXPECT_FALSE(s.heartbeat_due(t0 + 3s));
  EXPECT_TRUE(s.heartbeat_due(t0 + 28s));
}

TEST(SockjsSessionState, ClosedSessionAnswersClosed) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  EXPECT_FALSE(s.closed());
  s.close(go_away_code, "Go away!");
  EXPECT_TRUE(s.closed());
  EXPECT_EQ(s.close_code(), 3000);
  EXPECT_EQ(s.close_reason(), "Go away!");
  EXPECT_FALSE(s.close_sent());
  s.mark_close_sent();
  s.detach(t0 + 1s);
  EXPECT_EQ(s.attach(t0 + 2s), result::closed);
  EXPECT_FALSE(s.attached());
  // Every late receiver learns the same thing until the session is freed.
  EXPECT_EQ(s.attach(t0 + 3s), result::closed);
}

// Closed while nobody listened (a DISCONNECT sent by xhr_send between
// polls): the next poll must still carry the queued RECEIPT, so it attaches;
// the close frame follows on it.
TEST(SockjsSessionState, ClosingSessionStillTakesAReceiverUntilTheCloseFrameIsOut) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  s.detach(t0 + 1s);
  s.close(go_away_code, "Go away!");
  EXPECT_EQ(s.attach(t0 + 2s), result::attached);
  s.mark_close_sent();
  EXPECT_EQ(s.attach(t0 + 2s), result::closed);
}

// sockjs-protocol HandlingClose.test_close_frame: once closed, a new
// receiver gets the close frame, not "Another connection still open", even
// before the receiver that carried the close frame has detached.
TEST(SockjsSessionState, ClosedWinsOverBusy) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  s.close(go_away_code, "Go away!");
  s.mark_close_sent();
  EXPECT_EQ(s.attach(t0 + 1s), result::closed);
  // The receiver already there stays attached until it detaches itself.
  EXPECT_TRUE(s.attached());
  EXPECT_FALSE(s.expired(t0 + 1h));
}

TEST(SockjsSessionState, FirstCloseWins) {
  session_state s(t, t0);
  s.close(go_away_code, "Go away!");
  s.close(interrupted_code, "Connection interrupted");
  EXPECT_EQ(s.close_code(), 3000);
  EXPECT_EQ(s.close_reason(), "Go away!");
}

// The close handler closes before anyone listens: the first receiver still
// gets "o" (then the close frame), later ones only the close frame.
TEST(SockjsSessionState, ClosedBeforeAnyReceiverStillOpens) {
  session_state s(t, t0);
  s.close(go_away_code, "Go away!");
  EXPECT_EQ(s.attach(t0), result::open);
  EXPECT_TRUE(s.attached());
  s.mark_close_sent();
  EXPECT_EQ(s.attach(t0 + 1s), result::closed);
  s.detach(t0 + 2s);
  EXPECT_EQ(s.attach(t0 + 3s), result::closed);
  EXPECT_FALSE(s.attached());
  EXPECT_TRUE(s.expired(t0 + 7s));
}

TEST(SockjsSessionState, ClosedSessionStillExpires) {
  session_state s(t, t0);
  ASSERT_EQ(s.attach(t0), result::open);
  s.close(go_away_code, "Go away!");
  s.mark_close_sent();
  s.detach(t0 + 10s);
  EXPECT_FALSE(s.expired(t0 + 14s));
  // Refused receivers do not keep it alive.
  EXPECT_EQ(s.attach(t0 + 14s), result::closed);
  EXPECT_TRUE(s.expired(t0 + 15s));
}

TEST(SockjsSessionState, NextDeadline) {
  session_state s(t, t0);
  EXPECT_EQ(s.next_deadline(), t0 + 5s);  // expiry while nobody is attached
  ASSERT_EQ(s.attach(t0 + 1s), result::open);
  EXPECT_EQ(s.next_deadline(), t0 + 26s);  // the heart-beat while attached
  s.sent(t0 + 10s);
  EXPECT_EQ(s.next_deadline(), t0 + 35s);
  s.detach(t0 + 12s);
  EXPECT_EQ(s.next_deadline(), t0 + 17s);
  // At the deadline the owner finds something due.
  EXPECT_TRUE(s.expired(s.next_deadline()));
  ASSERT_EQ(s.attach(t0 + 13s), result::attached);
  EXPECT_TRUE(s.heartbeat_due(s.next_deadline()));
}

TEST(SockjsSessionState, ShortTimings) {
  session_state s(timing{.heartbeat = 1000ms, .disconnect_delay = 1ms}, t0);
  EXPECT_TRUE(s.expired(t0 + 1ms));
  ASSERT_EQ(s.attach(t0), result::open);
  EXPECT_TRUE(s.heartbeat_due(t0 + 1s));
}

}  // namespace
}  // namespace herald::sockjs
