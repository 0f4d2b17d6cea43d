# -DBPFPROC_FUZZ=ON: libFuzzer targets (tests/fuzz/*_fuzzer.cpp). Only clang has libFuzzer, and
# the Debian one (clang 14, its runtime in libclang-rt-14-dev) is the one CI installs.
# Independent of BPFPROC_SANITIZE (cmake/Sanitizers.cmake): this adds its own sanitizers.
option(BPFPROC_FUZZ "Build the libFuzzer targets of tests/fuzz (needs clang)" OFF)

if(BPFPROC_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang" OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "BPFPROC_FUZZ needs clang and clang++ (libFuzzer), not ${CMAKE_C_COMPILER_ID}/"
                        "${CMAKE_CXX_COMPILER_ID}: configure a fresh build directory with CC=clang CXX=clang++")
  endif()
  if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 14)
    message(FATAL_ERROR "BPFPROC_FUZZ needs clang 14 or newer, found ${CMAKE_CXX_COMPILER_VERSION}")
  endif()
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer")
  check_cxx_source_compiles([[
    #include <cstddef>
    #include <cstdint>
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
  ]] BPFPROC_HAVE_LIBFUZZER)
  unset(CMAKE_REQUIRED_FLAGS)
  if(NOT BPFPROC_HAVE_LIBFUZZER)
    message(FATAL_ERROR "BPFPROC_FUZZ: clang cannot link -fsanitize=fuzzer; install libclang-rt-14-dev (scripts/setup)")
  endif()

  # Every project library is instrumented for coverage and checked by ASan and UBSan; only the
  # fuzz targets themselves link libFuzzer's main (-fsanitize=fuzzer, tests/fuzz/CMakeLists.txt).
  # UBSan must abort, or libFuzzer would not see its findings as crashes. Long runs may choose
  # undefined,leak: ASan's allocator takes 60% of the config target's time, and LSan alone still
  # finds leaks (scripts/test-fuzz and CI keep address,undefined).
  set(BPFPROC_FUZZ_SANITIZERS address,undefined CACHE STRING "Sanitizers of the fuzz build")
  add_compile_options(-fsanitize=fuzzer-no-link,${BPFPROC_FUZZ_SANITIZERS} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${BPFPROC_FUZZ_SANITIZERS})
endif()
