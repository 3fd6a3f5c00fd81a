// tend-scheduler: rituals, reminders on time, answers, streaks, cadence.
#include "services/common/flags.h"
#include "services/scheduler/server.h"

int main(int argc, char** argv) {
  tend::services::ParseFlags(
      argc, argv,
      "tend-scheduler: plans each couple's rituals and delivers reminders at "
      "the right local time.\nServes tend.scheduler.v1.SchedulerService over "
      "gRPC; dispatches due reminders from Redis.");
  return tend::scheduler::RunServer();
}
