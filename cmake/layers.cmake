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

# ems_app_include_root(<target> <folder>): the app library <target> of the top-level folder
# <folder> (api, listener, publisher, …) exposes that folder alone, as "<folder>/…" includes, to
# the targets that link it. Its include root is a folder of the build holding one link to
# <folder>, not the repository root, so an app that includes another app's headers does not
# compile.
function(ems_app_include_root target folder)
  set(root ${CMAKE_BINARY_DIR}/include-roots/${folder})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${root}/${folder} SYMBOLIC)
  target_include_directories(${target} PUBLIC ${root})
endfunction()
