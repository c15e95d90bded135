console.log('menu loaded');
