// append_escaped / quote: the JSON string escaping every SockJS frame uses.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "sockjs/frames.hpp"

namespace herald::sockjs {
namespace {

using namespace std::string_literals;

std::string utf8(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xc0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xe0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    s += static_cast<char>(0xf0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return s;
}

// The escaped text alone, without quote()'s surrounding quotes.
std::string escaped(std::string_view in) {
  std::string out;
  append_escaped(out, in);
  return out;
}

// What a JSON parser (the SockJS client's JSON.parse) reads back.
std::string parsed(const std::string& json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  EXPECT_FALSE(ec) << json << ": " << ec.message();
  if (ec || !v.is_string()) {
    ADD_FAILURE() << "not a JSON string: " << json;
    return {};
  }
  return std::string(v.get_string());
}

bool ascii_only(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

TEST(SockjsEscape, PlainAsciiUnchanged) {
  EXPECT_EQ(quote(""), R"("")");
  EXPECT_EQ(quote("hello world"), R"("hello world")");
  EXPECT_EQ(quote("/topic/a?b=c&d={1}'x'"), R"("/topic/a?b=c&d={1}'x'")");
}

TEST(SockjsEscape, AppendsWithoutQuotes) {
  std::string out = "a[\"";
  append_escaped(out, "x\"y");
  EXPECT_EQ(out, R"(a["x\"y)");
}

TEST(SockjsEscape, QuotesBackslashAndControls) {
  EXPECT_EQ(escaped("\""), R"(\")");
  EXPECT_EQ(escaped("\\"), R"(\\)");
  EXPECT_EQ(escaped("a\\\"b"), R"(a\\\"b)");
  EXPECT_EQ(escaped("\n\r\t"), R"(\n\r\t)");
  EXPECT_EQ(escaped("\b\f"), R"(\u0008\u000c)");
  EXPECT_EQ(escaped("\x01\x1f"), R"(\u0001\u001f)");
  EXPECT_EQ(escaped("a\0b"s), R"(a\u0000b)");
  // STOMP frames end with NUL: it must survive as an escape.
  EXPECT_EQ(escaped("SEND\n\n\0"s), R"(SEND\n\n\u0000)");
}

TEST(SockjsEscape, DelAndC1Controls) {
  EXPECT_EQ(escaped("\x7f"), R"(\u007f)");
  EXPECT_EQ(escaped(utf8(0x80)), R"(\u0080)");
  EXPECT_EQ(escaped(utf8(0x85)), R"(\u0085)");  // NEL: a line break to some parsers
  EXPECT_EQ(escaped(utf8(0x9f)), R"(\u009f)");
}

TEST(SockjsEscape, LineAndParagraphSeparators) {
  // Raw, these end a JavaScript string literal in jsonp/htmlfile.
  EXPECT_EQ(escaped(utf8(0x2028)), R"(\u2028)");
  EXPECT_EQ(escaped(utf8(0x2029)), R"(\u2029)");
}

TEST(SockjsEscape, InvisibleFormatCharacters) {
  EXPECT_EQ(escaped(utf8(0x200b)), R"(\u200b)");
  EXPECT_EQ(escaped(utf8(0x200c)), R"(\u200c)");
  EXPECT_EQ(escaped(utf8(0x200d)), R"(\u200d)");
  EXPECT_EQ(escaped(utf8(0x200e)), R"(\u200e)");
  EXPECT_EQ(escaped(utf8(0x200f)), R"(\u200f)");
  EXPECT_EQ(escaped(utf8(0x202e)), R"(\u202e)");  // right-to-left override
  EXPECT_EQ(escaped(utf8(0xfeff)), R"(\ufeff)");  // BOM, stripped by some decoders
  EXPECT_EQ(escaped(utf8(0xad)), R"(\u00ad)");    // soft hyphen
  EXPECT_EQ(escaped(std::string("x") + utf8(0x301)), R"(x\u0301)");  // combining acute accent
  EXPECT_EQ(escaped(utf8(0x36f)), R"(\u036f)");
}

TEST(SockjsEscape, NonCharactersAndReplacementChar) {
  EXPECT_EQ(escaped(utf8(0xfdd0)), R"(\ufdd0)");
  EXPECT_EQ(escaped(utf8(0xfffe)), R"(\ufffe)");
  EXPECT_EQ(escaped(utf8(0xffff)), R"(\uffff)");
  EXPECT_EQ(escaped(utf8(0xfffd)), R"(\ufffd)");
}

TEST(SockjsEscape, AstralCharactersBecomeSurrogatePairs) {
  EXPECT_EQ(escaped("\xf0\x9f\x98\x80"), R"(\ud83d\ude00)");  // U+1F600 😀
  EXPECT_EQ(escaped(utf8(0x10000)), R"(\ud800\udc00)");
  EXPECT_EQ(escaped(utf8(0x10ffff)), R"(\udbff\udfff)");
  EXPECT_EQ(escaped(std::string("a") + utf8(0x1f600) + std::string("b") + utf8(0x1f44d)), R"(a\ud83d\ude00b\ud83d\udc4d)");
}

TEST(SockjsEscape, SafeScriptsPassRaw) {
  const std::vector<std::string> raw = {
      "caf\xc3\xa9",                          // Latin-1
      "\xc5\x81\xc3\xb3" "d\xc5\xba",        // Latin Extended-A (Łódź)
      "\xce\xb1\xce\xb2\xce\xb3",             // Greek
      "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",  // Cyrillic (Привет)
      "\xe3\x81\x82\xe3\x82\xab",             // kana
      "\xe4\xb8\xad\xe6\x96\x87",             // CJK (中文)
      "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4",  // Hangul (한국어)
      utf8(0xa0) + utf8(0xff) + utf8(0x2ff),  // edges of the Latin range
  };
  for (const auto& s : raw) EXPECT_EQ(escaped(s), s);
}

TEST(SockjsEscape, InvalidUtf8BecomesReplacementChar) {
  EXPECT_EQ(escaped("\xff"), R"(\ufffd)");
  EXPECT_EQ(escaped("a\x80z"), R"(a\ufffdz)");                          // lone continuation
  EXPECT_EQ(escaped("a\xc3"), R"(a\ufffd)");                            // truncated at the end
  EXPECT_EQ(escaped("\xc3z"), R"(\ufffdz)");                            // truncated before ASCII
  EXPECT_EQ(escaped("\xc0\xaf"), R"(\ufffd\ufffd)");                    // overlong '/'
  EXPECT_EQ(escaped("\xe0\x80\xaf"), R"(\ufffd\ufffd\ufffd)");          // overlong, 3 bytes
  EXPECT_EQ(escaped("\xed\xa0\x80"), R"(\ufffd\ufffd\ufffd)");          // encoded surrogate
  EXPECT_EQ(escaped("\xf4\x90\x80\x80"), R"(\ufffd\ufffd\ufffd\ufffd)");  // above U+10FFFF
  EXPECT_EQ(escaped("\xf0\x9f\x98" "A"), R"(\ufffd\ufffd\ufffdA)");     // truncated emoji
  // A valid character right after the damage survives.
  EXPECT_EQ(escaped("\xff\xc3\xa9"), "\\ufffd\xc3\xa9");
}

TEST(SockjsEscape, RoundTripsValidUtf8) {
  const std::vector<std::string> inputs = {
      "",
      "plain",
      "\"quoted\" \\back\\slash/",
      "CONNECT\naccept-version:1.2\nhost:h\n\n\0"s,
      "\0\x01\x1f\x7f"s,
      "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xd0\x9f\xd1\x80",
      utf8(0x85) + utf8(0xad) + utf8(0x301) + utf8(0x2028) + utf8(0x2029) + utf8(0x200c) + utf8(0x200f) +
          utf8(0xfeff) + utf8(0xfffd) + utf8(0xffff),
      "\xf0\x9f\x98\x80 \xf0\x9f\x91\x8d" + utf8(0x10ffff),
      "</script><script>alert(1)</script>",
      std::string(10000, 'x') + "\"" + std::string(10000, '\\'),
  };
  for (const auto& s : inputs) EXPECT_EQ(parsed(quote(s)), s) << quote(s);
}

// Every scalar value, in blocks: quote() must give valid JSON that parses
// back to the input, and every code point outside the safe scripts must
// come out as ASCII escapes.
TEST(SockjsEscape, RoundTripsEveryCodePoint) {
  std::string block;
  auto flush = [&] {
    EXPECT_EQ(parsed(quote(block)), block);
    block.clear();
  };
  for (std::uint32_t cp = 0; cp <= 0x10ffff; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    block += utf8(cp);
    if (cp % 4096 == 4095) flush();
  }
  flush();
}

TEST(SockjsEscape, RiskyRangesComeOutAsAscii) {
  auto check_range = [](std::uint32_t from, std::uint32_t to) {
    for (std::uint32_t cp = from; cp <= to; ++cp) {
      std::string out = escaped(utf8(cp));
      ASSERT_TRUE(ascii_only(out)) << std::hex << cp;
      ASSERT_EQ(out.substr(0, 2), "\\u") << std::hex << cp;
    }
  };
  check_range(0x00, 0x08);
  check_range(0x0b, 0x0c);
  check_range(0x0e, 0x1f);
  check_range(0x7f, 0x9f);    // DEL and C1
  check_range(0x300, 0x36f);  // combining diacritics
  check_range(0x2000, 0x206f);  // general punctuation: spaces, joiners, bidi, separators
  check_range(0xfe00, 0xfe0f);  // variation selectors
  check_range(0xfff0, 0xffff);  // specials
  check_range(0x1f000, 0x1faff);  // emoji
  check_range(0xe0000, 0xe007f);  // tags
}

// sockjs-protocol's JSONEncoding.test_xhr_server_encodes: these code points
// must come back as exactly these lowercase \uXXXX escapes.
TEST(SockjsEscape, ProtocolServerKillerChars) {
  std::string in, expected;
  auto add = [&](std::uint32_t from, std::uint32_t to) {
    for (std::uint32_t cp = from; cp <= to; ++cp) {
      in += utf8(cp);
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      expected += buf;
    }
  };
  add(0x200c, 0x200f);
  add(0x2028, 0x202f);
  add(0x2060, 0x206f);
  add(0xfff0, 0xffff);
  EXPECT_EQ(escaped(in), expected);
}

// Arbitrary bytes: the output is always valid JSON (and so valid UTF-8).
TEST(SockjsEscape, ArbitraryBytesGiveValidJson) {
  std::uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return static_cast<unsigned char>(seed >> 16);
  };
  for (int i = 0; i < 3000; ++i) {
    std::string s(static_cast<std::size_t>(next() % 24), '\0');
    for (auto& c : s) {
      // Lean towards UTF-8 lead and continuation bytes.
      unsigned char b = next();
      c = static_cast<char>(b < 96 ? 0x80 | (b & 0x3f) : b < 160 ? 0xc0 | (b & 0x3f) : b);
    }
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(quote(s), ec);
    ASSERT_FALSE(ec) << quote(s);
    ASSERT_TRUE(v.is_string());
  }
}

}  // namespace
}  // namespace herald::sockjs
