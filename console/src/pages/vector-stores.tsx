export function VectorStoresPage() {
  return <h1>VectorStores</h1>;
}
