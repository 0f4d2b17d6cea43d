# `cmake --install` rules and `cpack -G DEB`. The default prefix is /usr, where the package puts
# things, so that an install and the package agree: /usr/bin/bpfproc, the unit in
# /usr/lib/systemd/system, the config in /etc/bpfproc (GNUInstallDirs maps the prefix /usr to /etc).
# A build tree configured before this file existed holds CMake's /usr/local as if it were a
# choice; it gets /usr once too. Later an explicit -DCMAKE_INSTALL_PREFIX is kept.
if(NOT DEFINED BPFPROC_PREFIX_DEFAULT_APPLIED)
  if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT OR CMAKE_INSTALL_PREFIX STREQUAL "/usr/local")
    set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install prefix" FORCE)
  endif()
  set(BPFPROC_PREFIX_DEFAULT_APPLIED ON CACHE INTERNAL "CMAKE_INSTALL_PREFIX defaulted to /usr once")
endif()
include(GNUInstallDirs)

set(BPFPROC_PACKAGING_DIR ${CMAKE_SOURCE_DIR}/packaging)
set(BPFPROC_ETC_DIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/bpfproc)
set(BPFPROC_DOC_DIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/bpfproc)

# The unit names /usr/bin and /etc; another prefix gets a unit with its own paths.
file(READ ${BPFPROC_PACKAGING_DIR}/bpfproc.service unit_text)
string(REPLACE "/usr/bin/bpfproc" "${CMAKE_INSTALL_FULL_BINDIR}/bpfproc" unit_text "${unit_text}")
string(REPLACE "/etc/" "${CMAKE_INSTALL_FULL_SYSCONFDIR}/" unit_text "${unit_text}")
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/packaging/bpfproc.service CONTENT "${unit_text}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${BPFPROC_PACKAGING_DIR}/bpfproc.service)

# Debian compresses man pages (policy 12.1): gzip -n leaves out the time stamp, so the .deb is
# the same from build to build.
find_program(GZIP gzip REQUIRED)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/packaging/bpfproc.8.gz
  COMMAND ${GZIP} -9nc ${BPFPROC_PACKAGING_DIR}/bpfproc.8 > ${CMAKE_BINARY_DIR}/packaging/bpfproc.8.gz
  DEPENDS ${BPFPROC_PACKAGING_DIR}/bpfproc.8
  COMMENT "Compressing bpfproc.8")
add_custom_target(bpfproc_man_page ALL DEPENDS ${CMAKE_BINARY_DIR}/packaging/bpfproc.8.gz)

install(TARGETS bpfproc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_BINARY_DIR}/packaging/bpfproc.service DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
install(FILES ${BPFPROC_PACKAGING_DIR}/config.yml DESTINATION ${BPFPROC_ETC_DIR})
install(FILES ${BPFPROC_PACKAGING_DIR}/default DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/default RENAME bpfproc)
# An example, not a conffile: Debian keeps those under /usr/share/doc/PACKAGE/examples.
install(FILES ${BPFPROC_PACKAGING_DIR}/web-config.example.yml DESTINATION ${BPFPROC_DOC_DIR}/examples
        RENAME web-config.yml)
install(FILES ${CMAKE_BINARY_DIR}/packaging/bpfproc.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
# The Grafana dashboard and the Prometheus alert rules, whichever are there (their promtool test
# files stay out).
install(DIRECTORY ${BPFPROC_PACKAGING_DIR}/grafana/ DESTINATION ${CMAKE_INSTALL_DATADIR}/bpfproc/grafana OPTIONAL
        FILES_MATCHING PATTERN "*.json")
install(DIRECTORY ${BPFPROC_PACKAGING_DIR}/prometheus/ DESTINATION ${CMAKE_INSTALL_DATADIR}/bpfproc/prometheus OPTIONAL
        FILES_MATCHING PATTERN "*.yml" PATTERN "*test*" EXCLUDE)

# The .deb. Its Depends come from the binary's shared libraries (dpkg-shlibdeps), plus adduser
# for the postinst.
# cpack refuses a .deb of another prefix (cmake/CPackProjectConfig.cmake).
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_SOURCE_DIR}/cmake/CPackProjectConfig.cmake)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME bpfproc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# The Maintainer field; a placeholder until the project has a mailing address.
set(BPFPROC_DEB_MAINTAINER "bpfproc maintainers <maintainers@bpfproc.invalid>" CACHE STRING "Maintainer of the .deb")
set(CPACK_PACKAGE_CONTACT ${BPFPROC_DEB_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Prometheus exporter of exact per-process-group CPU, scheduling and memory, from eBPF")
set(CPACK_PACKAGE_DESCRIPTION
    "bpfproc counts CPU time and scheduling events per task in the kernel with eBPF, to the\n"
    "nanosecond and including processes that live a few milliseconds, adds memory from\n"
    "/proc/PID/smaps_rollup, groups processes (process-exporter's config format) and serves\n"
    "the result to Prometheus on port 9435, with TLS and basic auth (exporter-toolkit web config).")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_SET_DESTDIR ON)  # /etc/... are absolute destinations; they go into the package, not the host
set(CPACK_STRIP_FILES ON)  # the debug info stays in the build tree; the binary shrinks from ~MBs to its code
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # bpfproc_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# conffiles: dpkg keeps an operator's edits on upgrade and removes them only on purge.
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/packaging/deb/conffiles
     CONTENT "${BPFPROC_ETC_DIR}/config.yml\n${CMAKE_INSTALL_FULL_SYSCONFDIR}/default/bpfproc\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/packaging/deb/conffiles
    ${BPFPROC_PACKAGING_DIR}/deb/postinst ${BPFPROC_PACKAGING_DIR}/deb/prerm ${BPFPROC_PACKAGING_DIR}/deb/postrm)
include(CPack)
