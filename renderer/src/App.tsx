/** The app shell; the runs, run and sample screens land with the app issue. */
export function App() {
  return (
    <main>
      <h1>Salvage</h1>
      <p>Open a folder of evaluation logs to see every run and repair what a crash broke.</p>
    </main>
  );
}
