import { useEffect } from 'react';
import { appStore } from '../state/useStore.ts';
import { applyRoute, routeOf } from '../state/navigation.ts';
import { readRoute, routeHash, sameRoute, type Route } from './route.ts';

function withoutPlace(route: Route): Route {
  return route.sample
    ? { ...route, sample: { id: route.sample.id, epoch: route.sample.epoch } }
    : route;
}

/**
 * The URL follows the app and the app follows the URL: opening a run or a sample pushes a
 * history entry (so Back and Forward move between the list, the run and the sample, as in any
 * browser), a hash typed or pasted navigates, and a deep link opens where it points.
 */
export function useHistoryRoute(): void {
  useEffect(() => {
    let applying = false;
    const follow = (): void => {
      applying = true;
      try {
        applyRoute(appStore, readRoute(window.location.hash));
      } finally {
        applying = false;
      }
    };
    follow();
    const unsubscribe = appStore.subscribe((state) => {
      if (applying) return;
      const route = routeOf(state);
      const shown = readRoute(window.location.hash);
      if (sameRoute(route, shown)) return;
      const url = `${window.location.pathname}${window.location.search}${routeHash(route)}`;
      // Moving within a sample (a find, a jump) updates the link; only a new view is a step back.
      if (sameRoute(withoutPlace(route), withoutPlace(shown)))
        window.history.replaceState(null, '', url);
      else window.history.pushState(null, '', url);
    });
    window.addEventListener('popstate', follow);
    window.addEventListener('hashchange', follow);
    return () => {
      unsubscribe();
      window.removeEventListener('popstate', follow);
      window.removeEventListener('hashchange', follow);
    };
  }, []);
}
