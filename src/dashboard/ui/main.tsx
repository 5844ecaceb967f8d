/** The dashboard's entry point (bundled by src/dashboard/serve.ts). */
import { render } from 'preact';
import { takeTokenFromFragment } from './api.ts';
import { App } from './app.tsx';
import './styles.css';

takeTokenFromFragment();
render(<App />, document.getElementById('app')!);
