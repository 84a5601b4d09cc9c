// YAML layer: walks the document against the key table so every unknown key
// or wrongly typed value is reported with its full path and line.
#include <yaml-cpp/yaml.h>

#include "config/key_table.hpp"
#include "config/layers.hpp"
#include "config/load.hpp"
#include "config/sources_yaml.hpp"
#include "config/text.hpp"

namespace herald::config::detail {
namespace {

// "file.yaml:12", or "line 12" for an in-memory document.
std::string where(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  std::string line = std::to_string(mark.line + 1);
  return source.empty() ? "line " + line : source + ":" + line;
}

class yaml_walker {
 public:
  yaml_walker(config& cfg, const std::string& source) : cfg_(cfg), source_(source) {}

  void document(const YAML::Node& root) {
    if (root.IsNull()) return;  // an empty file sets nothing
    if (!root.IsMap()) fail(root, "(document)", "expected a mapping of keys at the top level");
    section(root, "");
  }

 private:
  [[noreturn]] void fail(const YAML::Node& at, const std::string& key, const std::string& problem) {
    throw config_error(key, problem, where(source_, at.Mark()));
  }

  static const char* describe(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a sequence";
    if (node.IsNull()) return "nothing";
    return "a scalar";
  }

  void section(const YAML::Node& map, const std::string& prefix) {
    for (const auto& item : map) {
      if (!item.first.IsScalar()) fail(item.first, prefix, "keys must be plain names");
      std::string path = prefix.empty() ? item.first.Scalar() : prefix + "." + item.first.Scalar();
      if (const key_info* key = find_key(path)) {
        value(*key, item.second);
      } else if (is_section(path)) {
        if (!item.second.IsMap()) {
          fail(item.second, path, std::string("expected a mapping, got ") + describe(item.second));
        }
        section(item.second, path);
      } else {
        fail(item.first, path, "unknown key");
      }
    }
  }

  // Null counts as "" so `api.key:` with nothing after it means empty.
  std::string scalar(const YAML::Node& node, const std::string& key, const char* expected) {
    if (node.IsNull()) return {};
    if (!node.IsScalar())
      fail(node, key, std::string("expected ") + expected + ", got " + describe(node));
    return node.Scalar();
  }

  std::vector<std::string> strings(const YAML::Node& node, const std::string& key) {
    std::vector<std::string> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) {
      fail(node, key, std::string("expected a sequence of strings, got ") + describe(node));
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
      out.push_back(scalar(node[i], key + "[" + std::to_string(i) + "]", "a string"));
    }
    return out;
  }

  bool boolean(const YAML::Node& node, const std::string& key) {
    auto v = scalar(node, key, "true or false");
    if (v == "true") return true;
    if (v == "false") return false;
    fail(node, key, "expected true or false, got " + text::quote(v));
  }

  void value(const key_info& key, const YAML::Node& node) {
    try {
      switch (key.kind) {
        case value_kind::list:
          key.set_list(cfg_, strings(node, key.path));
          return;
        case value_kind::endpoints:
          endpoints(node);
          return;
        case value_kind::sources:
          cfg_.sources = sources_from_yaml(node, source_);
          return;
        default:
          key.set_text(cfg_, scalar(node, key.path, "a single value"));
          return;
      }
    } catch (const config_error& e) {
      if (!e.source.empty()) throw;
      fail(node, e.key, e.problem);  // add the line to setter errors
    }
  }

  void endpoints(const YAML::Node& node) {
    if (!node.IsSequence()) {
      fail(node, "endpoints",
           std::string("expected a sequence of {path, allowed_origins, sockjs, websocket, handler}, got ") + describe(node));
    }
    std::vector<endpoint> result;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node entry = node[i];
      std::string at = "endpoints[" + std::to_string(i) + "]";
      if (!entry.IsMap())
        fail(entry, at, std::string("expected a mapping, got ") + describe(entry));
      endpoint ep;
      bool has_path = false;
      for (const auto& field : entry) {
        std::string name = field.first.IsScalar() ? field.first.Scalar() : "?";
        if (name == "path") {
          ep.path = scalar(field.second, at + ".path", "a string");
          has_path = true;
        } else if (name == "allowed_origins") {
          ep.allowed_origins = strings(field.second, at + ".allowed_origins");
        } else if (name == "sockjs" || name == "websocket") {
          bool value = boolean(field.second, at + "." + name);
          (name == "sockjs" ? ep.sockjs : ep.websocket) = value;
        } else if (name == "handler") {
          auto h = scalar(field.second, at + ".handler", "stomp, echo or close");
          if (h == "stomp") {
            ep.handler = endpoint_handler::stomp;
          } else if (h == "echo") {
            ep.handler = endpoint_handler::echo;
          } else if (h == "close") {
            ep.handler = endpoint_handler::close;
          } else {
            fail(field.second, at + ".handler", "expected one of stomp|echo|close, got " + text::quote(h));
          }
        } else {
          fail(field.first, at + "." + name, "unknown key");
        }
      }
      if (!has_path) fail(entry, at + ".path", "missing");
      result.push_back(std::move(ep));
    }
    cfg_.endpoints = std::move(result);
  }

  config& cfg_;
  const std::string& source_;
};

}  // namespace

void apply_yaml(config& cfg, const std::string& yaml, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw config_error("(document)", "YAML syntax error: " + e.msg, where(source, e.mark));
  }
  yaml_walker(cfg, source).document(root);
}

}  // namespace herald::config::detail
