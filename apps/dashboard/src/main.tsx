import { render } from 'preact';
import { App } from './app';
import { connectLive } from './live';
import './style.css';

connectLive();
render(<App />, document.getElementById('app')!);
