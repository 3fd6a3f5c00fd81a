// tendctl: act as a Tend user from the command line. See commands.h.
#include "services/tendctl/commands.h"

int main(int argc, char** argv) { return tend::tendctl::Run(argc, argv); }
