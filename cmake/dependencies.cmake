# All dependency discovery lives here; every failure names the Debian package
# that provides what is missing (scripts/install-deps.sh installs them all).
find_package(PkgConfig REQUIRED)

macro(herald_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "herald needs ${what}: apt-get install ${package} (or run scripts/install-deps.sh)")
  endif()
endmacro()

find_package(Threads REQUIRED)

find_package(Boost 1.81 QUIET CONFIG COMPONENTS json)
herald_require(Boost_FOUND "Boost 1.81 with Boost.JSON" "libboost1.81-dev libboost-json1.81-dev")

find_package(yaml-cpp QUIET)
herald_require(yaml-cpp_FOUND "yaml-cpp" "libyaml-cpp-dev")

find_package(CLI11 QUIET CONFIG)
herald_require(CLI11_FOUND "CLI11" "libcli11-dev")

find_package(fmt QUIET)
herald_require(fmt_FOUND "fmt" "libfmt-dev")
find_package(spdlog QUIET)
herald_require(spdlog_FOUND "spdlog" "libspdlog-dev")

pkg_check_modules(JWT QUIET IMPORTED_TARGET libjwt)
herald_require(JWT_FOUND "libjwt" "libjwt-dev")

pkg_check_modules(HIREDIS QUIET IMPORTED_TARGET hiredis)
herald_require(HIREDIS_FOUND "hiredis" "libhiredis-dev")

find_package(OpenSSL QUIET)
herald_require(OPENSSL_FOUND "OpenSSL" "libssl-dev")

if(HERALD_TESTS AND NOT HERALD_FUZZ)
  find_package(GTest QUIET)
  herald_require(GTest_FOUND "GoogleTest" "libgtest-dev")
endif()
if(HERALD_BENCH)
  find_package(benchmark QUIET)
  herald_require(benchmark_FOUND "Google Benchmark" "libbenchmark-dev")
endif()
