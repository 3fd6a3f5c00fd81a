// PeriodicTask: background work a service repeats while it runs, e.g.
// pairing's purge of expired histories or prompt's relay of couple scores.
//
//   services::PeriodicTask purge("purge", absl::Minutes(1), [&] {
//     return pairing.PurgeDissolved().status();
//   });
//   ... serve ...   // the destructor stops and joins it
//
// A failed run is logged as "<name>.failed" with its status code (never its
// message, which may quote data) and tried again at the next interval.
#ifndef TEND_SERVICES_COMMON_PERIODIC_H_
#define TEND_SERVICES_COMMON_PERIODIC_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace tend::services {

// PeriodicTask
//
// Runs `task` every `interval` (real time: operational pacing) on a thread
// of its own, first after one interval, until destroyed.
class PeriodicTask {
 public:
  PeriodicTask(std::string name, absl::Duration interval,
               std::function<absl::Status()> task);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace tend::services

#endif  // TEND_SERVICES_COMMON_PERIODIC_H_
