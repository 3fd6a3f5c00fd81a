#include "services/common/periodic.h"

#include "absl/strings/str_cat.h"
#include "engine/base/log.h"

namespace tend::services {

PeriodicTask::PeriodicTask(std::string name, absl::Duration interval,
                           std::function<absl::Status()> task) {
  thread_ = std::thread(
      [this, name = std::move(name), interval, task = std::move(task)] {
        while (!stop_.WaitForNotificationWithTimeout(interval)) {
          const absl::Status status = task();
          if (!status.ok()) {
            Log(LogLevel::kWarning, absl::StrCat(name, ".failed"),
                {{"code", absl::StatusCodeToString(status.code())}});
          }
        }
      });
}

PeriodicTask::~PeriodicTask() {
  stop_.Notify();
  thread_.join();
}

}  // namespace tend::services
