# strata_add_library(NAME SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ...)
# One static library per module, exported as strata::NAME. PUBLIC_DEPS are those
# that appear in the module's public headers; PRIVATE_DEPS are used only in .cc files.
function(strata_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(strata_${name} STATIC ${ARG_SOURCES})
  add_library(strata::${name} ALIAS strata_${name})
  target_include_directories(strata_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(strata_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# strata_add_test(NAME SOURCES ... LIBS ...): one GoogleTest executable, its
# cases discovered by CTest.
function(strata_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
endfunction()

# strata_add_module(NAME PUBLIC_DEPS ... PRIVATE_DEPS ...): a module whose
# sources are every .cc below src/NAME (re-globbed at build time), so that
# several people can add files to it without editing the same CMake list.
function(strata_add_module name)
  cmake_parse_arguments(ARG "" "" "PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  if(NOT sources)
    return()  # a module still being written: nothing to build yet
  endif()
  strata_add_library(${name} SOURCES ${sources} PUBLIC_DEPS ${ARG_PUBLIC_DEPS} PRIVATE_DEPS ${ARG_PRIVATE_DEPS})
endfunction()

# strata_add_module_test(NAME LIBS ...): one test executable from every
# *_test.cc in the calling directory.
function(strata_add_module_test name)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(sources)
    strata_add_test(${name} SOURCES ${sources} LIBS ${ARG_LIBS})
  endif()
endfunction()
