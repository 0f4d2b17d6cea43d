# bpf_object(NAME SOURCE): compiles SOURCE with clang -target bpf into NAME.bpf.o,
# generates NAME.skel.h with bpftool, and exposes it as the interface target NAME_skel.
find_program(BPF_CLANG clang REQUIRED)
find_program(BPFTOOL bpftool PATHS /usr/sbin /sbin REQUIRED)

set(BPF_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
set(VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "BTF used to generate vmlinux.h")

# vmlinux.h is generated from the build host's BTF; CO-RE relocates field offsets at load time,
# so the objects still run on other kernels.
add_custom_command(
  OUTPUT ${BPF_GENERATED_DIR}/vmlinux.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${BPF_GENERATED_DIR}
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux-h ${VMLINUX_BTF} ${BPF_GENERATED_DIR}/vmlinux.h
  DEPENDS ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux-h
  COMMENT "Generating vmlinux.h from ${VMLINUX_BTF}")
# One target owns the header, so parallel builds of several objects do not generate it twice.
add_custom_target(vmlinux_h DEPENDS ${BPF_GENERATED_DIR}/vmlinux.h)

string(TOLOWER ${CMAKE_SYSTEM_PROCESSOR} BPF_ARCH)
if(BPF_ARCH MATCHES "x86_64|amd64")
  set(BPF_TARGET_ARCH x86)
elseif(BPF_ARCH MATCHES "aarch64|arm64")
  set(BPF_TARGET_ARCH arm64)
else()
  set(BPF_TARGET_ARCH ${BPF_ARCH})
endif()

function(bpf_object name source)
  set(object ${BPF_GENERATED_DIR}/${name}.bpf.o)
  set(skeleton ${BPF_GENERATED_DIR}/${name}.skel.h)
  file(GLOB bpf_headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bpf/*.h)
  add_custom_command(
    OUTPUT ${object}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_${BPF_TARGET_ARCH}
            -Wall -Werror -I${BPF_GENERATED_DIR} -I${CMAKE_SOURCE_DIR}/bpf
            -c ${CMAKE_SOURCE_DIR}/${source} -o ${object}
    DEPENDS ${CMAKE_SOURCE_DIR}/${source} ${bpf_headers} vmlinux_h
    COMMENT "BPF ${source}")
  add_custom_command(
    OUTPUT ${skeleton}
    COMMAND ${BPFTOOL} gen skeleton ${object} name ${name}_bpf > ${skeleton}
    DEPENDS ${object}
    COMMENT "Skeleton ${name}.skel.h")
  add_custom_target(${name}_skel_gen DEPENDS ${skeleton})
  add_dependencies(${name}_skel_gen vmlinux_h)
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${BPF_GENERATED_DIR})
endfunction()
