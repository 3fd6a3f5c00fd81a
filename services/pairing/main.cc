// tend-pairing: pairs spouses and keeps their profiles.
#include "services/common/flags.h"
#include "services/pairing/server.h"

int main(int argc, char** argv) {
  tend::services::ParseFlags(
      argc, argv,
      "tend-pairing: pairs two spouses and keeps each partner's settings.\n"
      "Serves tend.pairing.v1.PairingService over gRPC.");
  return tend::pairing::RunServer();
}
