// The fuzz build compiles Boost.JSON's sources here (the server build uses
// core/boost_src.cc); Asio and Beast are header-only in this build.
#include <boost/json/src.hpp>
