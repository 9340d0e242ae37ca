export function ResponsePage() {
  return <h1>Response</h1>;
}
