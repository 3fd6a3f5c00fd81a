// tend-prompt: what Tend asks and suggests, and the answers' privacy.
#include "services/common/flags.h"
#include "services/prompt/server.h"

int main(int argc, char** argv) {
  tend::services::ParseFlags(
      argc, argv,
      "tend-prompt: chooses the couple's daily question, gestures and "
      "reminder words from Tend's catalog, keeps answers private until both "
      "have answered, and runs the love-language quiz and the connection "
      "check.\nServes tend.prompt.v1.PromptService over gRPC.");
  return tend::prompt::RunServer();
}
