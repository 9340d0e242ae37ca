export function VectorStorePage() {
  return <h1>VectorStore</h1>;
}
