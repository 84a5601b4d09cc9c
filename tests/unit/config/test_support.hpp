// Helpers shared by the config unit tests: a fake environment, temporary
// files, and "load this and give me the error".
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "config/load.hpp"

namespace herald::config::test {

// An envp array the tests own, so the real environment never leaks in.
class fake_env {
 public:
  fake_env(std::initializer_list<std::string> entries) : entries_(entries) {
    for (auto& e : entries_) pointers_.push_back(e.data());
    pointers_.push_back(nullptr);
  }
  char** get() { return pointers_.data(); }

 private:
  std::vector<std::string> entries_;
  std::vector<char*> pointers_;
};

// A file removed when the test ends; names are unique per process and call
// because ctest runs test cases in parallel.
class temp_file {
 public:
  explicit temp_file(const std::string& contents, const std::string& suffix = ".yaml") {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("herald_config_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) +
              suffix))
                .string();
    std::ofstream(path_) << contents;
  }
  ~temp_file() { std::filesystem::remove(path_); }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs `load_something` and returns the config_error it throws; records a
// failure (and returns an empty error) when it does not throw.
inline config_error error_of(const std::function<void()>& load_something) {
  try {
    load_something();
  } catch (const config_error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a config_error";
  return config_error("", "");
}

inline config_error yaml_error(const std::string& yaml, char** envp = nullptr) {
  return error_of([&] { load_yaml_string(yaml, envp); });
}

inline config_error set_error(const std::vector<std::pair<std::string, std::string>>& overrides) {
  return error_of([&] { load("", nullptr, overrides); });
}

inline config load_set(const std::vector<std::pair<std::string, std::string>>& overrides) {
  return load("", nullptr, overrides);
}

}  // namespace herald::config::test
