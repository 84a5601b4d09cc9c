// Heart-beat header parsing/negotiation and protocol version negotiation.
#include <gtest/gtest.h>

#include <string>

#include "stomp/heartbeat.hpp"
#include "stomp/version.hpp"

namespace herald::stomp {
namespace {

TEST(StompHeartbeat, ParsesValidValues) {
  EXPECT_EQ(parse_heartbeat("0,0"), (heartbeat{0, 0}));
  EXPECT_EQ(parse_heartbeat("10000,10000"), (heartbeat{10000, 10000}));
  EXPECT_EQ(parse_heartbeat("4000,0"), (heartbeat{4000, 0}));
  EXPECT_EQ(parse_heartbeat("007,5"), (heartbeat{7, 5}));
  EXPECT_EQ(parse_heartbeat("4294967295,1"), (heartbeat{4294967295u, 1}));
}

TEST(StompHeartbeat, RejectsGarbage) {
  for (const char* bad :
       {"", ",", "1", "1,", ",1", "-1,0", "0,-5", "+1,0", " 1,0", "1, 0", "1,0 ", "1,0,0", "a,b",
        "1;0", "4294967296,0", "0,99999999999999999999", "1.5,0"}) {
    EXPECT_FALSE(parse_heartbeat(bad)) << '"' << bad << '"';
  }
}

TEST(StompHeartbeat, ToString) { EXPECT_EQ(to_string(heartbeat{10000, 0}), "10000,0"); }

TEST(StompHeartbeat, NegotiateZeroMeansOff) {
  // Client cannot send and does not want heart-beats.
  EXPECT_EQ(negotiate({0, 0}, 10000, 10000), (negotiated_heartbeat{0, 0}));
  // Server does not send / does not want.
  EXPECT_EQ(negotiate({5000, 5000}, 0, 0), (negotiated_heartbeat{0, 0}));
  // Only client→server: client can send every 4000, server wants 10000.
  EXPECT_EQ(negotiate({4000, 0}, 10000, 10000), (negotiated_heartbeat{0, 10000}));
  // Only server→client.
  EXPECT_EQ(negotiate({0, 4000}, 10000, 10000), (negotiated_heartbeat{10000, 0}));
}

TEST(StompHeartbeat, NegotiateTakesTheMaximum) {
  // Server→client: max(server can send, client wants); client→server: max(client can send, server
  // wants).
  EXPECT_EQ(negotiate({1000, 20000}, 5000, 3000), (negotiated_heartbeat{20000, 3000}));
  EXPECT_EQ(negotiate({30000, 100}, 5000, 3000), (negotiated_heartbeat{5000, 30000}));
  EXPECT_EQ(negotiate({10000, 10000}, 10000, 10000), (negotiated_heartbeat{10000, 10000}));
}

std::optional<version> negotiate_text(const char* header,
                                      std::optional<version> sub = std::nullopt) {
  const std::string value = header;
  return negotiate_version(&value, sub);
}

TEST(StompVersion, AbsentHeaderMeans10) {
  EXPECT_EQ(negotiate_version(nullptr, std::nullopt), version::v1_0);
}

// A negotiated subprotocol names the version: a CONNECT without
// accept-version gets that version, not 1.0 (which the subprotocol would
// then refuse).
TEST(StompVersion, AbsentHeaderTakesTheSubprotocolsVersion) {
  EXPECT_EQ(negotiate_version(nullptr, version::v1_0), version::v1_0);
  EXPECT_EQ(negotiate_version(nullptr, version::v1_1), version::v1_1);
  EXPECT_EQ(negotiate_version(nullptr, version::v1_2), version::v1_2);
}

TEST(StompVersion, PicksHighestCommon) {
  EXPECT_EQ(negotiate_text("1.1,1.2"), version::v1_2);
  EXPECT_EQ(negotiate_text("1.0,1.1,1.2"), version::v1_2);
  EXPECT_EQ(negotiate_text("1.2,1.0"), version::v1_2);
  EXPECT_EQ(negotiate_text("1.0"), version::v1_0);
  EXPECT_EQ(negotiate_text("1.1"), version::v1_1);
  EXPECT_EQ(negotiate_text("1.0,1.1"), version::v1_1);
  EXPECT_EQ(negotiate_text("1.1, 1.2"), version::v1_2);
  EXPECT_EQ(negotiate_text("1.2,2.0"), version::v1_2);
}

TEST(StompVersion, NoCommonVersion) {
  EXPECT_EQ(negotiate_text("2.0"), std::nullopt);
  EXPECT_EQ(negotiate_text(""), std::nullopt);
  EXPECT_EQ(negotiate_text("1.3,garbage"), std::nullopt);
  EXPECT_EQ(negotiate_text("1.0", version::v1_2), std::nullopt);
}

TEST(StompVersion, RestrictedBySubprotocol) {
  EXPECT_EQ(negotiate_text("1.1,1.2", version::v1_1), version::v1_1);
  EXPECT_EQ(negotiate_text("1.0,1.1,1.2", version::v1_0), version::v1_0);
  EXPECT_EQ(negotiate_text("1.2", version::v1_2), version::v1_2);
}

TEST(StompVersion, Subprotocols) {
  EXPECT_EQ(version_from_subprotocol("v10.stomp"), version::v1_0);
  EXPECT_EQ(version_from_subprotocol("v11.stomp"), version::v1_1);
  EXPECT_EQ(version_from_subprotocol("v12.stomp"), version::v1_2);
  EXPECT_EQ(version_from_subprotocol("stomp"), std::nullopt);
  EXPECT_EQ(version_from_subprotocol("v13.stomp"), std::nullopt);
  for (version v : {version::v1_0, version::v1_1, version::v1_2}) {
    EXPECT_EQ(version_from_subprotocol(subprotocol_name(v)), v);
  }
  EXPECT_EQ(parse_version("1.1"), version::v1_1);
  EXPECT_EQ(parse_version("1.1 "), std::nullopt);
}

}  // namespace
}  // namespace herald::stomp
