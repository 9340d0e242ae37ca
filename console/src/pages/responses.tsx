export function ResponsesPage() {
  return <h1>Responses</h1>;
}
