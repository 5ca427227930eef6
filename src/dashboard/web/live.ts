/*
 * The live stream: `api/events` sends a `change` event whenever the store changed. EventSource
 * reconnects by itself while the server is away (it sends `retry: 1000`); when the browser gives
 * up (a non-stream answer, such as a 403 or 502 during a restart) we open a new one ourselves.
 * After any reconnect the view refetches: changes may have happened while nobody listened.
 */
export type LiveState = "open" | "connecting" | "closed";

export function startLive(onChange: () => void, onState: (s: LiveState) => void): void {
  let everOpen = false;
  let lost = false;
  const connect = (): void => {
    onState("connecting");
    const es = new EventSource("api/events");
    es.onopen = () => {
      onState("open");
      if (everOpen && lost) onChange();
      everOpen = true;
      lost = false;
    };
    es.addEventListener("change", () => onChange());
    es.onerror = () => {
      lost = true;
      if (es.readyState === EventSource.CLOSED) {
        onState("closed");
        es.close();
        setTimeout(connect, 3000);
      } else {
        onState("connecting");
      }
    };
  };
  connect();
}
