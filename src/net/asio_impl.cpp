// Asio and Beast compiled once, here (separate compilation): every other
// translation unit sees only declarations, which keeps builds tolerable
// on two cores.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
