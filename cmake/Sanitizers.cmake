# -DBPFPROC_SANITIZE=address,undefined (ASan + UBSan) or =thread (TSan): every userspace target
# (libraries, daemon, unit and privileged test binaries, tools) is compiled and linked with it.
# The BPF objects are untouched: they are custom commands (clang -target bpf), not targets.
# The first finding aborts (-fno-sanitize-recover=all), so that a test run fails on it.
# Works with GCC and Clang alike; it composes with other -fsanitize options (e.g. libFuzzer's),
# the compiler merges them.
set(BPFPROC_SANITIZE "" CACHE STRING "Sanitizers for all userspace code: address,undefined or thread (empty: none)")

if(BPFPROC_SANITIZE)
  string(REPLACE "," ";" bpfproc_sanitizers "${BPFPROC_SANITIZE}")
  list(SORT bpfproc_sanitizers)
  list(JOIN bpfproc_sanitizers "," bpfproc_sanitize_sorted)
  # ASan and TSan cannot share a process; the two sets below are the ones CI runs.
  if(NOT bpfproc_sanitize_sorted MATCHES "^(address,undefined|thread)$")
    message(FATAL_ERROR "BPFPROC_SANITIZE=${BPFPROC_SANITIZE}: expected address,undefined or thread")
  endif()
  set(bpfproc_sanitize_flags -fsanitize=${bpfproc_sanitize_sorted} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${bpfproc_sanitize_flags})
  add_link_options(-fsanitize=${bpfproc_sanitize_sorted})
  message(STATUS "bpfproc: userspace built with -fsanitize=${bpfproc_sanitize_sorted}")
endif()

# bpfproc_unsanitized(TARGET...): builds TARGET without the sanitizers. For the workload
# generators that the privileged tests measure: LeakSanitizer's tracer, which it forks at exit,
# would be counted as one more exit of the workload's group, and a sanitizer's start-up CPU as
# the workload's. They are test tools, not bpfproc code, so nothing is lost by not checking them.
function(bpfproc_unsanitized)
  if(NOT BPFPROC_SANITIZE)
    return()
  endif()
  foreach(target ${ARGN})
    foreach(property COMPILE_OPTIONS LINK_OPTIONS)
      get_target_property(options ${target} ${property})
      if(options)
        list(REMOVE_ITEM options ${bpfproc_sanitize_flags} -fsanitize=${bpfproc_sanitize_sorted})
        set_target_properties(${target} PROPERTIES ${property} "${options}")
      endif()
    endforeach()
  endforeach()
endfunction()
