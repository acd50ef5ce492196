// Type declarations of `profile-registry/react`.
import type { ConnectConfig, Connection, ConnectionMessageEvent, ConnectionState, Profile } from "./index.js";

/** What {@link useConnection} takes: `connect()`'s config (without `onDuplicate`) and the hook's own options. */
export interface UseConnectionConfig<P extends Profile = Profile> extends Omit<ConnectConfig<P>, "onDuplicate"> {
  /** Called with each message of the connection; the latest function passed is the one called (one listener per component). */
  onMessage?: (event: ConnectionMessageEvent<P>) => void;
  /** Leave the connection open when the last component using it unmounts (default: close it). */
  keep?: boolean;
}

/** What {@link useConnection} returns: the shared connection and its state (`"idle"` before the first effect connected). */
export interface ConnectionSnapshot<P extends Profile = Profile> {
  readonly connection: Connection<P> | undefined;
  readonly state: ConnectionState | "idle";
}

/**
 * The Connection of `config.profile`, shared by every component that uses
 * it (one socket per profile, also under StrictMode), and its state through
 * `useSyncExternalStore`. The last component to unmount closes it, unless
 * one of them passed `keep: true`. The registry must be started.
 *
 * @example
 * ```tsx
 * function Chat({ user }: { user: string }) {
 *   const { connection, state } = useConnection({ profile: user, url: "wss://chat.example.com/ws" });
 *   return <button disabled={state !== "open"} onClick={() => connection?.send("hi")}>send</button>;
 * }
 * ```
 */
export function useConnection<const P extends Profile>(config: UseConnectionConfig<P>): ConnectionSnapshot<P>;
