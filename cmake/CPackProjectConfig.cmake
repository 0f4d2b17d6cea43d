# Read by cpack (CPACK_PROJECT_CONFIG_FILE): a Debian package installs under /usr and /etc only, and
# its unit names /usr/bin/bpfproc.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "cpack -G DEB: the build tree's CMAKE_INSTALL_PREFIX is ${CPACK_PACKAGING_INSTALL_PREFIX}; "
                      "configure it with -DCMAKE_INSTALL_PREFIX=/usr")
endif()
