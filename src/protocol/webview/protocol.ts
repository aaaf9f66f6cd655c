// What a panel and its page say to each other, as one type: the messages each way and the state
// the page saves (vscode.setState) for a restart. SingletonPanel<P> (host) and bootWebview<P>()
// (page) are typed by it, so both ends of a view name the same protocol.
export interface WebviewProtocol<ToPage = unknown, ToHost = unknown, State = unknown> {
  toPage: ToPage;
  toHost: ToHost;
  state: State;
}
