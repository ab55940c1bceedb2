// Serializes refetches: a request while one is running schedules exactly one more run, so a burst
// of messages costs at most two round trips and the last render always reflects the last message.
export function createRefresher(load, onError) {
  let running = null;
  let again = false;
  const run = async () => {
    do {
      again = false;
      try {
        await load();
      } catch (error) {
        onError?.(error);
      }
    } while (again);
    running = null;
  };
  return function refresh() {
    if (running) again = true;
    else running = run();
    return running;
  };
}
