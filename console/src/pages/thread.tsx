export function ThreadPage() {
  return <h1>Thread</h1>;
}
