# ems_layer(<name> [PUBLIC <deps>...] [PRIVATE <deps>...] [SOURCES <files>...]): the static library
# ems_<name> (alias ems::<name>) of the folder shared/<name>/, built from its src/**/*.cpp.
#
# Each layer has an include root of its own, shared/<name>/include, holding only ems/<name>/*.h.
# A target sees the headers of the layers it links and no others, so a lower layer that
# includes a higher one does not compile: the layering is kept by the build, not by convention.
function(ems_layer name)
  cmake_parse_arguments(arg "" "" "PUBLIC;PRIVATE;SOURCES" ${ARGN})
  set(dir ${CMAKE_CURRENT_SOURCE_DIR}/${name})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${dir}/src/*.cpp)
  add_library(ems_${name} STATIC ${sources} ${arg_SOURCES})
  add_library(ems::${name} ALIAS ems_${name})
  target_include_directories(ems_${name} PUBLIC ${dir}/include)
  target_link_libraries(ems_${name} PUBLIC ${arg_PUBLIC} PRIVATE ems_warnings ${arg_PRIVATE})
endfunction()
